// Masked-LM pre-training: the masking recipe's proportions and invariants on a generated corpus,
// a tiny model learning a generated language end to end, and the Hugging Face folder it writes
// (cls.predictions names; still loadable by the inference engine and by fine-tuning), and
// run_pretrain from a model folder and text files to the folder and training.json it writes.
#include "core/bert_model.h"
#include "core/model_folder.h"
#include "core/safetensors.h"
#include "core/seeded_weights.h"
#include "core/train/masked_lm_data.h"
#include "core/train/parameter_store.h"
#include "core/train/pretraining.h"
#include "core/train/training_loop.h"
#include "error_assertions.h"
#include "tests/shared/tiny_bert_config.h"

#include <QTemporaryDir>
#include <QtTest>

#include <fstream>
#include <random>

using namespace pb;
using namespace pb::train;

namespace {

// [PAD] [UNK] [CLS] [SEP] [MASK], then "w0".."w<n-1>".
WordpieceTokenizer word_tokenizer(int words) {
    std::vector<std::string> vocab = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"};
    for (int i = 0; i < words; ++i) vocab.push_back("w" + std::to_string(i));
    return WordpieceTokenizer(vocab, TokenizerOptions{});
}

// A generated "language": runs of 4 words where each next word is determined by the previous one
// (w(k) -> w((3k + 1) mod n)), so a masked word can be inferred from its neighbours.
std::vector<std::vector<int32_t>> generated_texts(int words, int texts, uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::vector<std::vector<int32_t>> out;
    for (int t = 0; t < texts; ++t) {
        std::vector<int32_t> ids;
        int w = int(rng() % words);
        for (int i = 0; i < 12; ++i) {
            ids.push_back(5 + w);
            w = (3 * w + 1) % words;
        }
        out.push_back(ids);
    }
    return out;
}

// The two-layer test BERT with the masked-LM head, initialised as Hugging Face does.
TrainableBert masked_lm_model(int vocab, uint64_t seed) {
    TrainableBert model;
    model.config = pb_test::two_layer_config(vocab);
    model.layout = make_parameter_layout(model.config, 0, true);
    model.values.assign(model.layout.total, 0.0f);
    init_like_hugging_face(model, seed);
    return model;
}

}  // namespace

class TestMaskedLm : public QObject {
    Q_OBJECT

private slots:
    // BERT's recipe: 15% of the word pieces predicted; of those 80% [MASK], 10% random, 10% kept;
    // [CLS]/[SEP] never; the sequences tile the corpus in order.
    void maskingRecipe() {
        const auto tokenizer = word_tokenizer(200);
        const auto texts = generated_texts(200, 3000, 1);
        MaskingOptions o;
        o.max_length = 20;
        o.seed = 9;
        const auto examples = make_masked_lm_examples(texts, tokenizer, o);
        size_t pieces = 0, predicted = 0, masked = 0, kept = 0, random = 0;
        std::vector<int32_t> stream;
        for (const auto& e : examples) {
            QVERIFY(e.ids.size() <= 20 && e.ids.size() >= 3);
            QCOMPARE(e.ids.front(), 2);
            QCOMPARE(e.ids.back(), 3);
            QCOMPARE(e.mlm_targets.front(), -1);
            QCOMPARE(e.mlm_targets.back(), -1);
            for (size_t i = 1; i + 1 < e.ids.size(); ++i) {
                ++pieces;
                const int32_t original = e.mlm_targets[i] >= 0 ? e.mlm_targets[i] : e.ids[i];
                stream.push_back(original);
                if (e.mlm_targets[i] < 0) continue;
                ++predicted;
                if (e.ids[i] == 4) ++masked;
                else if (e.ids[i] == e.mlm_targets[i]) ++kept;
                else ++random;
            }
        }
        std::vector<int32_t> corpus;
        for (const auto& t : texts) corpus.insert(corpus.end(), t.begin(), t.end());
        QVERIFY(stream == corpus);
        const double p = double(predicted) / double(pieces);
        qInfo("%zu pieces: %.4f predicted; of those %.4f [MASK], %.4f random, %.4f kept", pieces, p,
              double(masked) / predicted, double(random) / predicted, double(kept) / predicted);
        // 36,000 pieces: the binomial standard deviation of the share is 0.0019.
        QVERIFY(std::abs(p - 0.15) < 0.01);
        QVERIFY(std::abs(double(masked) / predicted - 0.8) < 0.02);
        QVERIFY(std::abs(double(random) / predicted - 0.1) < 0.02);
        QVERIFY(std::abs(double(kept) / predicted - 0.1) < 0.02);
        // Deterministic for a seed, different for another.
        QVERIFY(make_masked_lm_examples(texts, tokenizer, o)[5].ids == examples[5].ids);
        o.seed = 10;
        const auto other = make_masked_lm_examples(texts, tokenizer, o);
        size_t differ = 0;
        for (size_t i = 0; i < 50; ++i) differ += other[i].mlm_targets != examples[i].mlm_targets;
        QVERIFY(differ > 40);
    }

    void badOptionsAreErrors() {
        const auto tokenizer = word_tokenizer(10);
        MaskingOptions o;
        o.max_length = 2;
        QVERIFY_THROWS_EXCEPTION(pb::Error, make_masked_lm_examples(generated_texts(10, 2, 1), tokenizer, o));
        o.max_length = 16;
        o.mask_probability = 1.5;
        QVERIFY_THROWS_EXCEPTION(pb::Error, make_masked_lm_examples(generated_texts(10, 2, 1), tokenizer, o));
        QTemporaryDir dir;
        const auto empty = std::filesystem::path(dir.path().toStdString()) / "empty.txt";
        std::ofstream(empty) << "\n\n   \n";
        QVERIFY_ERROR_MENTIONS(tokenize_corpus_file(empty, tokenizer), "empty.txt");
    }

    // A tiny model learns the generated language: masked-token accuracy on held-out text far above
    // chance (1/30), where the untrained model is at chance.
    void tinyModelLearnsGeneratedLanguage() {
        const int words = 30;
        const auto tokenizer = word_tokenizer(words);
        TrainableBert model = masked_lm_model(words + 5, 4);
        model.hidden_dropout = model.attention_dropout = 0;
        MaskingOptions o;
        o.max_length = 26;
        const auto train = make_masked_lm_examples(generated_texts(words, 1500, 2), tokenizer, o);
        o.seed = 77;
        const auto heldout = make_masked_lm_examples(generated_texts(words, 200, 3), tokenizer, o);
        PassSettings eval;
        eval.masked_lm = true;
        const double before = evaluate(model, heldout, eval, GlueTask::Generic).second;
        TrainSettings s;
        s.masked_lm = true;
        s.epochs = 40;
        s.batch = 16;
        s.lr_bert = 5e-3;
        s.dropout = false;
        const auto outcome = train_model(model, train, heldout, s);
        const double after = outcome.epochs.back().dev_metric;
        qInfo("held-out masked-token accuracy: %.3f untrained, %.3f after %d epochs (train loss %.3f -> %.3f)", before,
              after, s.epochs, outcome.epochs.front().train_loss, outcome.epochs.back().train_loss);
        QVERIFY(before < 0.15);
        QVERIFY(after > 0.8);
    }

    // The folder is a BertForMaskedLM checkpoint with Hugging Face names; the inference engine and
    // fine-tuning load it (ignoring the head), and pre-training resumes from it with the head.
    void savedFolder() {
        QTemporaryDir dir;
        const std::filesystem::path folder = dir.path().toStdString();
        TrainableBert m = masked_lm_model(35, 8);
        m.at(m.layout.masked_lm->bias)[3] = 0.25f;
        save_hf_folder(m, folder, {{"architectures", {"BertForMaskedLM"}}});
        SafetensorsFile file(folder / "model.safetensors");
        for (const char* name : {"cls.predictions.bias", "cls.predictions.transform.dense.weight",
                                 "cls.predictions.transform.dense.bias", "cls.predictions.transform.LayerNorm.weight",
                                 "cls.predictions.transform.LayerNorm.bias", "bert.embeddings.word_embeddings.weight"})
            QVERIFY2(file.find(name), name);
        LoadOptions with_head;
        with_head.masked_lm = true;
        const TrainableBert back = load_trainable_bert(folder, with_head);
        QVERIFY(back.values == m.values);
        const TrainableBert task = load_trainable_bert(folder);
        QVERIFY(!task.layout.masked_lm);
        QVERIFY(std::equal(task.values.begin(), task.values.begin() + task.layout.bert_end, m.values.begin()));
        const BertModel engine = load_bert_model(folder);
        QCOMPARE(engine.config.num_layers, 2);
    }

    // The whole step on files: a seeded folder with the word vocabulary, a corpus of paragraphs, a
    // held-out file. What the summary says is what was done (counts, settings), it is also on disk,
    // the checkpoint folder is gone and the output is a masked-LM folder that fine-tuning can load.
    void runPretrainOnFiles() {
        QTemporaryDir dir;
        const std::filesystem::path root = dir.path().toStdString();
        const int words = 30;
        std::ofstream(root / "vocab.txt") << [&] {
            std::string v = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n";
            for (int i = 0; i < words; ++i) v += "w" + std::to_string(i) + "\n";
            return v;
        }();
        write_seeded_bert_folder(root / "model", pb_test::two_layer_config(words + 5), 3, DType::F32, root / "vocab.txt");
        size_t corpus_words = 0;
        auto write_text = [&](const std::filesystem::path& file, int paragraphs, uint64_t seed) {
            std::ofstream out(file);
            for (const auto& ids : generated_texts(words, paragraphs, seed)) {
                for (int32_t id : ids) out << 'w' << id - 5 << ' ';
                out << "\n\n";
                if (seed == 2) corpus_words += ids.size();
            }
        };
        write_text(root / "corpus.txt", 120, 2);
        write_text(root / "heldout.txt", 20, 3);

        PretrainOptions o;
        o.model = root / "model";
        o.out = root / "pretrained";
        o.corpus = {root / "corpus.txt"};
        o.heldout = root / "heldout.txt";
        o.epochs = 2;
        o.batch = 16;
        o.max_length = 26;
        o.lr = 1e-3;
        std::vector<std::string> lines;
        const nlohmann::json summary = run_pretrain(o, {}, [&](const std::string& line) { lines.push_back(line); });

        QCOMPARE(summary["step"].get<std::string>(), std::string("pretrain"));
        QCOMPARE(summary["corpus_word_pieces"].get<size_t>(), corpus_words);  // every word is one vocabulary entry
        const size_t sequences = summary["train_sequences"].get<size_t>();
        QVERIFY(sequences >= 2 * 120 * 12 / 24 && sequences % 2 == 0);  // two passes of >= 12 words per 24-token sequence
        QCOMPARE(summary["steps"].get<int>(), int((sequences + 15) / 16));
        QCOMPARE(summary["settings"]["passes"].get<int>(), 2);
        QCOMPARE(summary["settings"]["max_length"].get<int>(), 26);
        const double accuracy = summary["heldout_masked_lm_accuracy"].get<double>();
        QVERIFY(accuracy >= 0.0 && accuracy <= 1.0);
        QVERIFY(std::any_of(lines.begin(), lines.end(), [](const std::string& l) {
            return l.find("corpus.txt: 120 paragraphs/sentences") != std::string::npos;
        }));

        std::ifstream written(o.out / "training.json");
        QCOMPARE(nlohmann::json::parse(written), summary);
        QVERIFY(!std::filesystem::exists(o.out / "checkpoint"));
        QVERIFY(SafetensorsFile(o.out / "model.safetensors").find("cls.predictions.bias"));
        QCOMPARE(load_trainable_bert(o.out).config.num_layers, 2);

        o.epochs = 0;
        QVERIFY_ERROR_MENTIONS(run_pretrain(o), "--epochs and --batch must be >= 1");
    }
};

QTEST_GUILESS_MAIN(TestMaskedLm)
#include "test_masked_lm.moc"
