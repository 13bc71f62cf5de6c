// This module is built -Ounchecked, where Swift's `precondition` is assumed true and checks
// nothing. Every `precondition(...)` in the module resolves to this one instead, which checks in
// every build: a broken invariant stops the program with its message rather than reading past a
// buffer. User input is validated before it gets here (configs when read, options when parsed).
@_transparent
func precondition(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String = String(),
                  file: StaticString = #fileID, line: UInt = #line) {
    if !condition() { fatalError(message(), file: file, line: line) }
}
