import Common
import Results
import TensorCore
import Training
import Foundation

/// A chapter's results file read without its payload type: the envelope, the payload as raw
/// JSON, and the lines the run printed (`PrintedLine`, each with the chapter source line that
/// printed it). `report weave` and the results folder's chapters without a payload type read it.
struct ChapterRecord: Decodable {
    let chapter: String
    let preset: Preset
    let seed: UInt64
    let gitCommit: String
    let machine: Machine?
    let started: String
    let seconds: Double
    let results: JSONValue
    /// Nil in results files written before the harness recorded its output.
    let output: [PrintedLine]?
    /// Nil in results files written before the precision was recorded: fp32 (`precisionUsed`).
    let precision: Precision?

    /// The products' precision the run used.
    var precisionUsed: Precision { precision ?? .fp32 }

    static func read(_ file: URL) throws -> ChapterRecord {
        let data: Data
        do {
            data = try Data(contentsOf: file)
        } catch {
            throw ChapterError("\(file.path): cannot be read")
        }
        do {
            let decoder = JSONDecoder()
            decoder.keyDecodingStrategy = .convertFromSnakeCase
            return try decoder.decode(ChapterRecord.self, from: data)
        } catch {
            throw ChapterError("\(file.path): not a chapter results file (needs \"chapter\", \"preset\", \"seed\", \"git_commit\", "
                + "\"started\", \"seconds\", \"results\", and \"output\" as [{\"line\", \"text\"}] when present)")
        }
    }

    /// Figures the chapter drew itself, listed by the payload's top-level "figures" array of paths.
    var ownFigureFiles: [String] {
        guard case .object(let payload) = results, case .array(let figures)? = payload["figures"] else { return [] }
        return figures.compactMap { figure -> String? in
            if case .string(let path) = figure { return path }
            return nil
        }
    }

    /// Every accuracy in the payload (an object with "value", "images" and an "interval" of
    /// "low" and "high"), by its JSON path under `results`, keys in sorted order.
    var accuracies: [PayloadAccuracy] {
        var found: [PayloadAccuracy] = []
        Self.collectAccuracies(results, path: "", into: &found)
        return found
    }

    private static func collectAccuracies(_ value: JSONValue, path: String, into found: inout [PayloadAccuracy]) {
        switch value {
        case .object(let object):
            if case .number(let accuracy)? = object["value"], case .number(let images)? = object["images"],
               case .object(let interval)? = object["interval"], case .number(let low)? = interval["low"],
               case .number(let high)? = interval["high"] {
                found.append(PayloadAccuracy(path: path, value: accuracy, images: Int(images), low: low, high: high))
                return
            }
            for key in object.keys.sorted() {
                collectAccuracies(object[key]!, path: path.isEmpty ? key : "\(path).\(key)", into: &found)
            }
        case .array(let array):
            for (index, element) in array.enumerated() { collectAccuracies(element, path: "\(path)[\(index)]", into: &found) }
        case .number, .string, .bool, .null:
            break
        }
    }
}

/// An accuracy found in a payload, as fractions.
struct PayloadAccuracy: Equatable {
    let path: String
    let value: Double
    let images: Int
    let low: Double
    let high: Double
}
