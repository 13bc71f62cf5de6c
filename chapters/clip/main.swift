// # Zero-shot CLIP: Tables 3 and 4
//
// Fei (EMITI 2024), the zero-shot CLIP rows of Tables 3 and 4. CLIP (Radford et al.
// 2021) was pretrained to pair 400 million web images with their alt-texts: an image tower
// (here ViT-B/32) and a text tower map both into one space where a matching image and caption
// lie close. Such a model classifies without any training on the task. Each class name is
// written into a sentence, "a photo of apple pie, a type of food." (the template OpenAI used
// for Food-101), the text tower embeds the sentence, and an image goes to the class whose
// sentence it is nearest to, by cosine similarity.
//
// Because classes enter only as text, nothing distinguishes the 91 classes the other chapters
// fine-tune on from the 10 held out (C1..C10): CLIP has seen neither. The paper measures both:
// test accuracy on the 91 classes' test images, choosing among the 91 names (81.24%,
// Table 3), and extended accuracy on the held-out classes' images, choosing among the 10 names
// (79.82%, Table 4). The two numbers are not directly comparable (one choice among 91, one
// among 10), but both are zero-shot: that is the ability fine-tuning will be measured against.
// Two of these details are this project's readings, reasonable but not the paper's words: that
// C1..C10 are the dataset's first ten classes, apple_pie .. breakfast_burrito (the paper does not
// name them), and that extended accuracy chooses among those 10 names, not among all 101.
//
// CLIP's authors also found that averaging the text embeddings of many phrasings of each class
// (a prompt ensemble) helps. Beyond the paper, the chapter reports one beside the single template
// (`--no-ensemble` leaves it out); see `PromptTemplates` for which list each preset uses and where
// it comes from. The images are embedded once, so the ensemble costs only its text embeddings.
// The paper gives bare percentages; here every accuracy carries a 95% bootstrap interval over
// its images, which says how far another draw of test images could move it.
//
// The model: on the paper preset, `--checkpoint` is a directory holding
// openai/clip-vit-base-patch32 as Hugging Face publishes it (the paper names the architecture,
// CLIP ViT-B/32, not a checkpoint: this one is the project's reading). On the mini preset, the mini CLIP
// the project pretrains on MiniFood's image-caption pairs (never on a downstream class).
//
// This chapter writes results/clip.json.

import ArgumentParser
import Datasets
import Common
import Results
import Training
import Foundation
import ChapterSupport
import Models
import Recipes

let arguments = CLIPChapterOptions.parseChapterArguments(chapter: "clip")
let options = arguments.options
let run = ChapterRun(chapter: "clip", options: options.run)
run.main { try zeroShotCLIP() }

func zeroShotCLIP() throws -> CLIPZeroShotResults {
    // ## The model and the prompts
    let data = try options.experimentData()
    let checkpoint = try PretrainedModels.clip(options, run: run)
    let clip = try ZeroShotClassifier(checkpoint: checkpoint)
    let model = clip.model.config.architectureName
    run.say("\(model) from \(checkpoint.path)")

    // The prompt sets: the single Food-101 template always, the preset's ensemble unless declined.
    let promptSets = [PromptTemplates.food] + (arguments.ensemble ? [PromptTemplates.ensemble(for: options.preset)] : [])
    for prompts in promptSets {
        run.say("prompts \"\(prompts.name)\": \(prompts.templates.count) template(s), from \(prompts.source)")
    }

    // ## Table 3: the trained classes
    //
    // The test images of the 91 trained classes (the 0.2 split), each among the 91 names.
    let test = try score(clip, data.test, promptSets, what: "the \(data.test.classNames.count) trained classes", say: { run.say($0) })

    // ## Table 4: the held-out classes
    //
    // The images of the 10 held-out classes, each among the 10 names.
    let extended = try score(clip, data.heldOut, promptSets, what: "the \(data.heldOut.classNames.count) held-out classes", say: { run.say($0) })
    for (className, accuracy) in extended[0].perClass {
        run.say("  held out \(className): \(percent(accuracy.value)) of \(accuracy.images)")
    }

    // ## Intervals and the results file
    //
    // Every accuracy with its 95% bootstrap interval over the images.
    let testAccuracy = test.map { $0.bootstrappedTop1(seed: options.seed) }
    let extendedAccuracy = extended.map { $0.bootstrappedTop1(seed: options.seed) }
    run.say("single template: test top-1 \(testAccuracy[0].percentWithInterval), extended top-1 \(extendedAccuracy[0].percentWithInterval)")
    let ensembles = promptSets.indices.dropFirst().map {
        PromptEnsembleAccuracy(templates: promptSets[$0].templates, test: testAccuracy[$0], extended: extendedAccuracy[$0],
                               name: promptSets[$0].name)
    }
    return CLIPZeroShotResults(model: model, checkpointSource: checkpoint.recordedPath, dataset: data.source,
                               templates: PromptTemplates.food.templates, test: testAccuracy[0], extended: extendedAccuracy[0],
                               promptEnsembles: ensembles.isEmpty ? nil : ensembles,
                               classes: ClassCounts(trained: data.test.classNames.count, heldOut: data.heldOut.classNames.count))
}

/// Zero-shot scores of `dataset` under each prompt set, with progress and one line per set.
func score(_ clip: ZeroShotClassifier, _ dataset: any Dataset, _ promptSets: [PromptTemplates], what: String,
           say: @escaping (String) -> Void) throws -> [ClassificationHits] {
    say("embedding \(dataset.count) images of \(what)")
    let tenth = max(1, dataset.count / 10)
    var reported = 0
    let scores = try clip.zeroShotScores(dataset, promptSets: promptSets) { done in
        if done / tenth > reported / tenth && done < dataset.count { say("  \(done) of \(dataset.count)") }
        reported = done
    }
    for (prompts, score) in zip(promptSets, scores) {
        say("\(what), prompts \"\(prompts.name)\": top-1 \(percent(score.accuracy.top1.value)), "
            + "top-5 \(percent(score.accuracy.top5.value)) (\(score.top1Count) of \(score.count))")
    }
    return scores
}

// ## The command line

struct CLIPChapterOptions: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clip", abstract: "Zero-shot CLIP on the trained and the held-out classes (Tables 3 and 4).")

    @OptionGroup var options: ChapterOptions

    @Flag(inversion: .prefixedNo,
          help: "Also score a prompt ensemble (paper: OpenAI's 80 ImageNet templates; mini: MiniFood's caption templates); on by default.")
    var ensemble = true
}
