// One HTTP request through libcurl (Debian's libcurl4-openssl: HTTP, TLS, proxies): the status,
// the headers of the response, and its body written to a file or kept in memory. Redirects are
// not followed here: the caller decides where to go next, so that it alone decides which host
// receives the token.
import CCurl
import Foundation

struct HTTPRequest {
    enum Method { case get, head }

    var url: String
    var method: Method = .get
    var headers: [String: String] = [:]
    /// Resume from this byte (a `Range: bytes=N-` request); the body is appended to `sink`.
    var resumeFrom: Int = 0
    /// A connection that delivers no byte for this long is abandoned (a stalled transfer).
    var stallSeconds: Int = 30
}

struct HTTPResponse {
    var status: Int
    /// Header names in lower case; the last value of a repeated header.
    var headers: [String: String]
    /// The body of a response that was not written to a sink (errors, small JSON), at most 1 MiB.
    var body: Data

    func header(_ name: String) -> String? { headers[name.lowercased()] }
    var isRedirect: Bool { [301, 302, 303, 307, 308].contains(status) }
}

/// A transport failure (no HTTP status): connection refused or cut, a stall, a write error.
struct TransportError: Error, CustomStringConvertible {
    let code: CURLcode
    let message: String
    var description: String { message }
}

/// Where a successful (200 or 206) body goes as it arrives.
protocol BodySink: AnyObject {
    /// Called once the status is known, before the first byte: false refuses the body.
    func begin(status: Int, headers: [String: String]) -> Bool
    func write(_ bytes: UnsafeRawBufferPointer) -> Bool
}

enum HTTP {
    static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    /// Performs `request`. The body of a 200 or 206 response goes to `sink` (when given);
    /// any other body is returned in the response.
    static func perform(_ request: HTTPRequest, sink: BodySink? = nil) throws -> HTTPResponse {
        _ = globalInit
        guard let curl = curl_easy_init() else { throw TransportError(code: CURLE_FAILED_INIT, message: "libcurl could not start") }
        defer { curl_easy_cleanup(curl) }
        let state = TransferState(curl: curl, sink: sink)
        let context = Unmanaged.passUnretained(state).toOpaque()
        var list: UnsafeMutablePointer<curl_slist>?
        for (name, value) in request.headers { list = curl_slist_append(list, "\(name): \(value)") }
        defer { curl_slist_free_all(list) }

        vitclip_curl_set_string(curl, CURLOPT_URL, request.url)
        vitclip_curl_set_long(curl, CURLOPT_FOLLOWLOCATION, 0)
        vitclip_curl_set_long(curl, CURLOPT_NOSIGNAL, 1)
        vitclip_curl_set_long(curl, CURLOPT_CONNECTTIMEOUT, 30)
        vitclip_curl_set_long(curl, CURLOPT_LOW_SPEED_LIMIT, 1)
        vitclip_curl_set_long(curl, CURLOPT_LOW_SPEED_TIME, request.stallSeconds)
        vitclip_curl_set_string(curl, CURLOPT_USERAGENT, "vitclip (libcurl)")
        vitclip_curl_set_pointer(curl, CURLOPT_HTTPHEADER, list)
        if request.method == .head { vitclip_curl_set_long(curl, CURLOPT_NOBODY, 1) }
        if request.resumeFrom > 0 { vitclip_curl_set_string(curl, CURLOPT_RANGE, "\(request.resumeFrom)-") }
        vitclip_curl_set_callback(curl, CURLOPT_HEADERFUNCTION, headerCallback)
        vitclip_curl_set_pointer(curl, CURLOPT_HEADERDATA, context)
        vitclip_curl_set_callback(curl, CURLOPT_WRITEFUNCTION, writeCallback)
        vitclip_curl_set_pointer(curl, CURLOPT_WRITEDATA, context)

        let code = withExtendedLifetime(state) { curl_easy_perform(curl) }
        if code != CURLE_OK {
            throw TransportError(code: code, message: "\(request.url): \(String(cString: curl_easy_strerror(code)))")
        }
        return HTTPResponse(status: state.status, headers: state.headers, body: state.body)
    }
}

/// What the callbacks see of one transfer.
private final class TransferState {
    let curl: UnsafeMutableRawPointer
    let sink: BodySink?
    var status = 0
    var headers: [String: String] = [:]
    var body = Data()
    var sinkAccepted: Bool?

    init(curl: UnsafeMutableRawPointer, sink: BodySink?) { (self.curl, self.sink) = (curl, sink) }

    func header(_ line: String) {
        let text = line.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.hasPrefix("HTTP/") {
            headers = [:]  // a new response (after 100 Continue): its own headers only
            status = Int(text.split(separator: " ").dropFirst().first ?? "") ?? 0
        } else if let colon = text.firstIndex(of: ":") {
            headers[text[..<colon].lowercased()] = text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
    }

    func write(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let sink, status == 200 || status == 206 else {
            if body.count < 1 << 20 { body.append(contentsOf: bytes.prefix(1 << 20 - body.count)) }
            return true
        }
        if sinkAccepted == nil { sinkAccepted = sink.begin(status: status, headers: headers) }
        return sinkAccepted == true && sink.write(bytes)
    }
}

private let headerCallback: vitclip_curl_callback = { data, size, count, context in
    guard let data, let context else { return 0 }
    let state = Unmanaged<TransferState>.fromOpaque(context).takeUnretainedValue()
    state.header(String(decoding: UnsafeRawBufferPointer(start: data, count: size * count), as: UTF8.self))
    return size * count
}

private let writeCallback: vitclip_curl_callback = { data, size, count, context in
    guard let data, let context else { return 0 }
    let state = Unmanaged<TransferState>.fromOpaque(context).takeUnretainedValue()
    return state.write(UnsafeRawBufferPointer(start: data, count: size * count)) ? size * count : 0
}
