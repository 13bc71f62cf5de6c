// `vitclip download`: a checkpoint from the Hugging Face Hub, or a dataset from its home, verified
// and resumable (the Hub module does the work).
import ArgumentParser
import Foundation
import Hub

struct Download: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Downloads and verifies a Hugging Face checkpoint, Food-101 or CIFAR-10, resuming an interrupted transfer.",
        discussion: """
            REPO_ID (e.g. google/vit-base-patch16-224, timm/deit_base_distilled_patch16_224.fb_in1k): the checkpoint's \
            files into DIR, by huggingface_hub's protocol (HF_ENDPOINT, HF_TOKEN), each checked against the hub's \
            sha256 or git blob id, with DIR/download.json recording the commit. food101, cifar10: the dataset's \
            archive, md5-checked, unpacked to DIR/food-101/{images,meta} or DIR/cifar-10-batches-bin.
            """)

    @Argument(help: ArgumentHelp("A Hugging Face repository id, or food101, or cifar10.", valueName: "repo-id|food101|cifar10"))
    var what: String

    @Option(help: "The branch, tag or commit of a repository.")
    var revision = "main"

    @Option(help: ArgumentHelp("Where to put it: the checkpoint directory, or the folder that receives the dataset's folder.", valueName: "dir"))
    var to: String

    @Option(help: "food101, cifar10: the archive's address instead of its home (a mirror).")
    var url: String?

    @Option(help: "food101, cifar10: the archive's md5 instead of the published one.")
    var md5: String?

    @Option(help: ArgumentHelp("Seconds without a byte before a connection is abandoned and resumed.", valueName: "seconds"))
    var stallTimeout = 30

    var dataset: DatasetSource? { DatasetSource.named(what) }

    func validate() throws {
        if dataset == nil {
            if url != nil || md5 != nil { throw UsageError("--url and --md5 belong to food101 and cifar10, not to a hub repository") }
            let parts = what.split(separator: "/", omittingEmptySubsequences: false)
            if parts.count != 2 || parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) {
                throw UsageError("'\(what)' is neither food101, cifar10 nor a repository id of the form owner/name")
            }
        } else if revision != "main" {
            throw UsageError("--revision belongs to a hub repository, not to \(what)")
        }
        if let md5, md5.count != 32 || !md5.allSatisfy(\.isHexDigit) { throw UsageError("--md5 '\(md5)' is not 32 hex digits") }
        if stallTimeout < 1 { throw UsageError("--stall-timeout must be at least 1 second") }
    }

    func run() throws {
        let settings = TransferSettings(stallSeconds: stallTimeout)
        let destination = URL(fileURLWithPath: to)
        if let dataset {
            try DatasetDownload.run(dataset.from(url: url, md5: md5), to: destination, settings: settings)
        } else {
            try CheckpointDownload.run(what, revision: revision, to: destination, settings: settings)
        }
    }
}
