// Image decoding through Imaging (JPEG by libturbojpeg, PNG by Cairo) on arbitrary bytes: either
// an image within the pixel limit, or an error. A decoded image is also resized, as loaders do.
import Foundation
import Imaging

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let data = start.map { Data(bytes: $0, count: count) } ?? Data()
    guard let image = try? Image(encoded: data, name: "fuzz") else { return 0 }
    precondition(image.width * image.height <= Image.maximumPixels, "decoded past the pixel limit")
    _ = image.resized(width: 7, height: 5, filter: .bicubic)
    return 0
}
