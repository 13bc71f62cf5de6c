import Common
import Results
import Training
import Foundation

/// The fixed text of paper.md: what the paper asked and did, in this project's words.
/// Published numbers are read from the registry, never typed here; the run's own numbers
/// appear only in the tables and in the chapters' summaries.
enum PaperProse {
    static let introduction = """
        Fei (EMITI 2024) asks which of three transformer-based ways to classify images suits a specialised task: \
        fine-tuning a Vision Transformer (ViT-B/16) with a new classification head, using CLIP (ViT-B/32) zero-shot \
        with class names written into text prompts, or fine-tuning CLIP itself. The comparison has three axes: \
        accuracy on the classes trained on, accuracy on classes never trained on (the paper's "extended accuracy", \
        which only a model that reads class names can have), and the cost of deploying each approach. Beyond the \
        paper, this project adds a comparison of its own, which the paper does not cite: a CIFAR-10 study in which \
        ImageNet models fine-tune a single block (Malpure et al. 2021).

        This project reproduces the comparison as a set of runnable chapters, one per experiment, each writing its \
        numbers to `results/<chapter>.json`. Every chapter runs at one of two presets. `paper` is the experiment \
        itself: real Food-101 and the published checkpoints (the report calls a checkpoint published only when the \
        sha256 of its weights matches the published files'). `mini` runs the same code on MiniFood, a procedural \
        world the project renders, with small models it pretrains itself, so that the whole pipeline can be run \
        and checked on an ordinary machine in minutes. Mini numbers say that the method runs and behaves; they say \
        nothing about Food-101 and are never presented as if they did.

        """

    static let datasets = """
        The paper uses Food-101 (Bossard et al. 2014): 101 dishes, 1,000 photographs each. Ten classes, C1 to C10, \
        are held out of all fine-tuning; the other 91 are split per class, 0.8 for training and 0.2 for testing. \
        Test accuracy is measured on the 91 classes' test images, choosing among those 91; extended accuracy is \
        measured on the 10 held-out classes' images. The mini preset mirrors this layout in MiniFood: some classes \
        trained on, a few held out.

        Three of these details are this project's readings, each a reasonable one that the paper's text does not \
        settle. The held-out classes are taken to be the dataset's first ten in its alphabetical order, apple_pie to \
        breakfast_burrito: the paper numbers them C1 to C10 without naming them. Extended accuracy is taken as a \
        choice among those 10 classes (a choice among all 101 would be another reading, and a harder task). And 0.8 \
        to 0.2 of each class's 1,000 photographs is 800 training and 200 test images, a re-split of the photographs: \
        the dataset's own lists split each class 750 to 250 (the data chapter gives the argument and runs the other \
        reading with `--split official`).

        """

    static let models = """
        ViT-B/16 is fine-tuned end to end with a fresh head for the 91 classes, using AdamW with the settings of \
        Table 1; its head has no output for a held-out class, so it has no extended accuracy. CLIP ViT-B/32 \
        classifies zero-shot: each image embedding is compared with the text embeddings of one prompt per class, \
        and the closest wins. Fine-tuned CLIP trains CLIP on the 91 classes with the settings of Table 2 by the \
        approach the paper names, FT-CLIP (Dong et al. 2022): a LayerNorm on the image encoder's patch tokens, their \
        mean, and a fresh linear head; its held-out classes are then classified like zero-shot CLIP, through the \
        fine-tuned image tower and the text tower. The paper names its models ViT-B/16 and CLIP ViT-B/32, not the \
        checkpoints it started from: the paper preset's google/vit-base-patch16-224 and openai/clip-vit-base-patch32 \
        are this project's reading, the public checkpoints of those names that the Hugging Face library loads.

        Two additions beyond the paper. Every zero-shot accuracy is also measured with a prompt ensemble, the \
        average of the normalised text embeddings of several templates per class (Radford et al. 2021), shown \
        beside the single template in rows of their own. And every accuracy this project measures carries a 95% \
        percentile-bootstrap interval over its images \
        (\(formatNumber(Double(BootstrapInterval.standardResamples))) resamples), which the paper's numbers do not: it says \
        how far another draw of test images could move the number, and `report diff` uses it to judge.

        """

    static let lit = """
        The paper's fine-tuned CLIP moves its image tower and loses the held-out classes, and its fine-tuned ViT, \
        the most accurate on the trained classes, cannot name a class it never saw. LiT (Zhai et al. 2022) locks an \
        image tower and tunes only a text tower (with its projection and temperature) to it, with CLIP's \
        contrastive loss. The lit chapter locks three towers in turn: CLIP's own image tower, tuned on the 91 \
        trained classes' images captioned with their names; and, as LiT's authors meant it, the pretrained ViT and \
        the ViT fine-tuned on the 91 classes, read at their pre-logits with no image-side head (as Google's \
        big_vision reference does), with CLIP's text tower and a fresh projection learned on the mini CLIP's own \
        pretraining pairs (mini preset) or on the trained classes' captioned images (paper preset, a weaker \
        setting). Each is evaluated exactly as zero-shot CLIP, on the trained classes' test images and on the \
        held-out classes. Their rows in Tables 3 and 4 and their bars in Figure 3 name their image tower and have \
        no published counterpart: the paper has no LiT.

        """

    static let wiseFT = """
        The paper stops at the two ends: zero-shot CLIP keeps its extended accuracy, fine-tuned CLIP loses most of \
        it. WiSE-FT (Wortsman et al. 2022) interpolates the weights of the two, (1 - alpha) times zero-shot plus \
        alpha times fine-tuned, and traces what each mixture keeps of both accuracies. The curve drawn is that of the \
        zero-shot-head recipe: mixed are the image tower and its projection, and the classification head against the \
        zero-shot head it started from (the prompts' text embeddings times the logit scale), so that alpha 0 is zero-shot \
        CLIP and alpha 1 the fine-tuned model. The paper's recipe, ft-clip, is mixed too, its fresh head kept as trained \
        (it has no zero-shot counterpart). Extended accuracy pairs each mixed image tower with the pretrained text tower. \
        Alpha is chosen on a fifth of the trained classes' training images, never on the images the accuracies are \
        reported on.

        """

    static let cifar = """
        This comparison is the project's own, not the paper's: the paper neither cites this study nor mentions \
        CIFAR-10. In the study, ImageNet-pretrained models are fine-tuned with only their last \
        block and a new head trainable (learning rate 1e-4, 10 epochs, batch 32, images upscaled bilinearly to \
        224 pixels). Its validation accuracies come from Malpure et al. 2021; the trainable parameter counts, the \
        train accuracies, the timings and a second set of validation accuracies come from a public reproduction \
        of that study. Timings were measured on a GPU and are shown, not judged.

        """

    /// Works the prose cites besides the registry's sources.
    static let otherReferences = [
        "Lukas Bossard, Matthieu Guillaumin, Luc Van Gool. Food-101: Mining Discriminative Components with Random Forests. ECCV 2014.",
        "Mitchell Wortsman et al. Robust fine-tuning of zero-shot models (WiSE-FT). CVPR 2022.",
        "Alec Radford et al. Learning Transferable Visual Models From Natural Language Supervision (CLIP). ICML 2021.",
        "Xiaohua Zhai et al. LiT: Zero-Shot Transfer with Locked-image text Tuning. CVPR 2022.",
        "Xiaoyi Dong et al. CLIP Itself is a Strong Fine-tuner: Achieving 85.7% and 88.0% Top-1 Accuracy with ViT-B and ViT-L on ImageNet (FT-CLIP). arXiv 2212.06138, 2022.",
        "Sachin Goyal et al. Finetune like you pretrain: Improved finetuning of zero-shot vision models (FLYP). CVPR 2023.",
        "Ananya Kumar et al. Fine-Tuning can Distort Pretrained Features and Underperform Out-of-Distribution (LP-FT). ICLR 2022.",
    ]

    /// The paper's findings, its numbers read from the registry.
    static func paperClaims(_ registry: PublishedRegistry) -> String {
        func value(_ id: String) -> String { registry.entry(id).map(formatPublished) ?? "?" }
        return """
            The paper reports that fine-tuned ViT has the best test accuracy (\(value("fei2024.table3.vit"))%), \
            that zero-shot CLIP reaches \(value("fei2024.table3.clip"))% on the trained classes and keeps \
            \(value("fei2024.table4.clip"))% on held-out ones, and that fine-tuning CLIP raises its test accuracy \
            only to \(value("fei2024.table3.clip_finetune"))% while its extended accuracy falls to \
            \(value("fei2024.table4.clip_finetune"))%, at the highest deployment cost \
            (ViT \(value("fei2024.table5.vit")), zero-shot CLIP \(value("fei2024.table5.clip")), \
            fine-tuned CLIP \(value("fei2024.table5.clip_finetune"))).
            """
    }

    static let conclusion = """
        The paper concludes that a fine-tuned ViT suits tasks that need the highest accuracy on a fixed set of \
        classes, that zero-shot CLIP suits tasks that value versatility and low deployment cost, and that \
        fine-tuning CLIP pays only when the dataset is large and cost is no concern, since it gives up most of \
        CLIP's zero-shot ability for a small gain.

        """
}
