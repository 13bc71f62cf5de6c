// `reproduce --preset paper --download DIR`: whatever the paper preset reads and was not given
// fetched into DIR, verified, and the settings pointed at it: Food-101, the ViT and CLIP
// checkpoints, and for the cifar chapter CIFAR-10 and the study's three timm checkpoints. A file
// or dataset already complete in DIR (its size and hash checked) is not fetched again.
import Foundation
import Hub

public enum ReproduceDownloads {
    /// The hub repositories, by what they stand for; each goes to DIR/<owner>/<name>.
    public static let vitRepository = "google/vit-base-patch16-224"
    public static let clipRepository = "openai/clip-vit-base-patch32"
    public static let deitRepository = "timm/deit_base_distilled_patch16_224.fb_in1k"
    public static let caitRepository = "timm/cait_s24_224.fb_dist_in1k"
    public static let densenetRepository = "timm/densenet201.tv_in1k"

    /// `settings` with every missing path of the paper preset filled in from DIR, after fetching it.
    public static func fetch(into directory: URL, filling settings: ReproductionSettings, client: HubClient = HubClient(),
                             food101: DatasetSource = .food101, cifar10: DatasetSource = .cifar10,
                             transfer: TransferSettings = TransferSettings(), say: (String) -> Void) throws -> ReproductionSettings {
        var settings = settings
        func checkpoint(_ given: String?, _ repo: String) throws -> String {
            if let given { return given }
            let target = directory.appendingPathComponent(repo)
            say("checkpoint \(repo) into \(target.path)")
            try CheckpointDownload.run(repo, to: target, client: client, settings: transfer)
            return target.path
        }
        func dataset(_ given: String?, _ source: DatasetSource) throws -> String {
            if let given { return given }
            say("\(source.name) into \(directory.appendingPathComponent(source.folder).path)")
            return try DatasetDownload.run(source, to: directory, settings: transfer).path
        }
        settings.food101 = try dataset(settings.food101, food101)
        settings.vitCheckpoint = try checkpoint(settings.vitCheckpoint, vitRepository)
        settings.clipCheckpoint = try checkpoint(settings.clipCheckpoint, clipRepository)
        settings.cifar.cifar10 = try dataset(settings.cifar.cifar10, cifar10)
        settings.cifar.deit = try checkpoint(settings.cifar.deit, deitRepository)
        settings.cifar.cait = try checkpoint(settings.cifar.cait, caitRepository)
        settings.cifar.densenet = try checkpoint(settings.cifar.densenet, densenetRepository)
        return settings
    }
}
