import ArgumentParser
import Cluster
import Tokenizer

struct Tokenize: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "CLIP token ids of each text, from <|startoftext|> to <|endoftext|>, unpadded.")

    @OptionGroup var options: CheckpointOptions

    @Argument(help: "The texts to tokenize.")
    var texts: [String]

    func validate() throws {
        if texts.isEmpty { throw UsageError("give at least one text") }
    }

    func run() throws {
        guard MPIWorld.current.isLeader else { return }  // under mpirun, nothing to share: rank 0 alone tokenizes
        let tokenizer = try CLIPTokenizer(directory: options.directory)
        let ids = texts.map { tokenizer.encode($0) }
        if options.json {
            try printJSON(["ids": ids])
        } else {
            for (text, sequence) in zip(texts, ids) { print("\(text)\t\(sequence.map(String.init).joined(separator: " "))") }
        }
    }
}
