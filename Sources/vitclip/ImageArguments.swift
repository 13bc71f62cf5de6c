// Image arguments as the bytes the shell passed. Swift's CommandLine.arguments (and so
// ArgumentParser) decode each argument as UTF-8, replacing bytes that are not with U+FFFD: a
// file name that is not UTF-8 would then name no file. The raw argv keeps the bytes.
import Foundation
import Imaging

/// The paths of `images` (arguments as ArgumentParser decoded them), each from the bytes of the
/// argument it was decoded from: the next raw argument, in order, that decodes to it. Positional
/// arguments keep their order in argv, so two names differing only in bytes that are not UTF-8
/// are told apart too.
func imagePaths(_ images: [String]) -> [RawPath] {
    let raw = (1..<Int(CommandLine.argc)).compactMap { index in
        CommandLine.unsafeArgv[index].map { Array(UnsafeBufferPointer(start: UnsafeRawPointer($0).assumingMemoryBound(to: UInt8.self), count: strlen($0))) }
    }
    var next = 0
    return images.map { image in
        // A valid UTF-8 name is its own bytes; only a decoded-with-replacement one needs argv.
        guard image.unicodeScalars.contains("\u{FFFD}") else { return RawPath(bytes: Array(image.utf8)) }
        guard let index = raw[next...].firstIndex(where: { String(decoding: $0, as: UTF8.self) == image }) else {
            return RawPath(bytes: Array(image.utf8))
        }
        next = index + 1
        return RawPath(bytes: raw[index])
    }
}
