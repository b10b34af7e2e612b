#include "core/train/pretraining.h"

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/train/masked_lm_data.h"
#include "core/wordpiece_tokenizer.h"

namespace pb::train {
namespace {

std::vector<TrainExample> first(std::vector<TrainExample> examples, size_t limit) {
    if (limit && examples.size() > limit) examples.resize(limit);
    return examples;
}

TrainableBert load_pretraining_model(const PretrainOptions& o, const TrainLog& log) {
    LoadOptions load;
    load.masked_lm = true;
    load.init_seed = o.seed;
    TrainableBert model = load_trainable_bert(o.model, load);
    model.drop_retention();
    if (o.from_scratch) init_like_hugging_face(model, o.seed);
    for (const auto& note : model.notes)
        if (log) log(note);
    return model;
}

struct MaskedLmData {
    std::vector<TrainExample> train, heldout;
    size_t corpus_word_pieces = 0;
};

// Each pass over the corpus is one copy with its own masks (BERT's dupe factor), so that one run of
// the training loop covers all passes with a single warm-up/decay schedule.
MaskedLmData masked_lm_data(const PretrainOptions& o, const WordpieceTokenizer& tokenizer, int length, const TrainLog& log) {
    MaskedLmData data;
    std::vector<std::vector<int32_t>> texts;
    for (const auto& file : o.corpus) {
        auto part = tokenize_corpus_file(file, tokenizer);
        for (const auto& t : part) data.corpus_word_pieces += t.size();
        if (log) log(file.string() + ": " + std::to_string(part.size()) + " paragraphs/sentences");
        texts.insert(texts.end(), std::make_move_iterator(part.begin()), std::make_move_iterator(part.end()));
    }
    for (int pass = 0; pass < o.epochs; ++pass) {
        auto copy = first(make_masked_lm_examples(texts, tokenizer, {length, o.mask_probability, o.seed + uint64_t(pass)}),
                          o.max_sequences);
        data.train.insert(data.train.end(), std::make_move_iterator(copy.begin()), std::make_move_iterator(copy.end()));
    }
    if (!o.heldout.empty())
        data.heldout = first(make_masked_lm_examples(tokenize_corpus_file(o.heldout, tokenizer), tokenizer,
                                                     {length, o.mask_probability, 12345}),
                             o.max_heldout_sequences);
    if (log)
        log("corpus: " + std::to_string(data.corpus_word_pieces) + " word pieces -> " +
            std::to_string(data.train.size() / size_t(o.epochs)) + " sequences of up to " + std::to_string(length) +
            " tokens x " + std::to_string(o.epochs) + " pass(es); " + std::to_string(data.heldout.size()) +
            " held-out sequences");
    return data;
}

TrainSettings pretrain_settings(const PretrainOptions& o) {
    TrainSettings s;
    s.masked_lm = true;
    s.epochs = 1;  // the passes, each with its own masks, are shuffled together into one epoch
    s.passes = o.epochs;
    s.batch = o.batch;
    s.lr_bert = o.lr;
    s.adam.weight_decay = o.weight_decay;
    s.seed = o.seed;
    s.checkpoint_dir = o.out / "checkpoint";
    s.checkpoint_every = o.checkpoint_every;
    s.resume = o.resume;
    return s;
}

nlohmann::json pretrain_summary(const PretrainOptions& o, const MaskedLmData& data, int length, const TrainOutcome& outcome) {
    nlohmann::json summary;
    summary["step"] = "pretrain";
    summary["objective"] = "masked-LM (15% of word pieces: 80% [MASK], 10% random, 10% kept; no next-sentence prediction)";
    summary["model"] = o.model.string();
    for (const auto& f : o.corpus) summary["corpus"].push_back(f.string());
    summary["heldout"] = o.heldout.string();
    summary["corpus_word_pieces"] = data.corpus_word_pieces;
    summary["train_sequences"] = data.train.size();
    summary["heldout_sequences"] = data.heldout.size();
    summary["settings"] = {{"passes", o.epochs},
                           {"from_scratch", o.from_scratch},
                           {"batch", o.batch},
                           {"lr", o.lr},
                           {"max_length", length},
                           {"seed", o.seed},
                           {"weight_decay", o.weight_decay},
                           {"mask_probability", o.mask_probability},
                           {"schedule", "linear warm-up over 10% of the steps, then linear decay to 0"}};
    if (!outcome.epochs.empty()) {
        const auto& r = outcome.epochs.back();
        summary["train_loss"] = r.train_loss;  // mean masked-token cross-entropy (nats)
        summary["heldout_masked_lm_accuracy"] = r.dev_metric;
        summary["seconds"] = r.seconds;
        summary["sequences_per_second"] = r.examples_per_second;
    }
    summary["steps"] = outcome.steps;
    summary["resumed"] = outcome.resumed;
    return summary;
}

}  // namespace

nlohmann::json run_pretrain(const PretrainOptions& o, const Progress& progress, const TrainLog& log) {
    if (o.model.empty() || o.out.empty() || o.corpus.empty())
        throw Error("train pretrain: --model, --out and at least one --corpus file are required");
    if (o.epochs < 1 || o.batch < 1) throw Error("train pretrain: --epochs and --batch must be >= 1");
    TrainableBert model = load_pretraining_model(o, log);
    const auto tokenizer = WordpieceTokenizer::from_model_folder(o.model);
    if (tokenizer.vocab_size() > model.config.vocab_size)
        throw Error(o.model.string() + ": the tokenizer has more tokens than config.json's vocab_size");
    const int length = std::min(o.max_length, model.config.max_position);
    const MaskedLmData data = masked_lm_data(o, tokenizer, length, log);

    const TrainSettings s = pretrain_settings(o);
    const nlohmann::json architecture = {{"architectures", {"BertForMaskedLM"}}};
    std::filesystem::create_directories(o.out);
    BestCallback on_best = [&](const TrainableBert& m, const EpochRecord&) { save_hf_folder(m, o.out, architecture); };
    const TrainOutcome outcome = train_model(model, data.train, data.heldout, s, progress, log, on_best);

    const nlohmann::json summary = pretrain_summary(o, data, length, outcome);
    write_file_atomically(o.out / "training.json", summary.dump(2) + "\n");
    std::error_code ec;
    std::filesystem::remove_all(s.checkpoint_dir, ec);
    return summary;
}

}  // namespace pb::train
