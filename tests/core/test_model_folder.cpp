// Malformed model folders: each must give a pb::Error that names the file and the problem.
#include "core/error.h"
#include "core/model_folder.h"
#include "core/safetensors.h"
#include "core/seeded_weights.h"

#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <fstream>
#include <functional>

using namespace pb;
namespace fs = std::filesystem;

namespace {

const fs::path kVocab = fs::path(POWERBERT_FIXTURES) / ".." / ".." / "resources" / "vocab" / "bert-base-uncased.txt";

ModelConfig tiny_config() {
    ModelConfig c;
    c.vocab_size = 30522;
    c.hidden_size = 16;
    c.num_layers = 2;
    c.num_heads = 2;
    c.intermediate_size = 32;
    c.max_position = 64;
    c.num_labels = 2;
    c.id2label = {"no", "yes"};
    return c;
}

void write_text(const fs::path& file, const std::string& text) {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << text;
}

std::string read_text(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

nlohmann::json config_json(const fs::path& dir) { return nlohmann::json::parse(read_text(dir / "config.json")); }

// A safetensors file with a hand-made header and `data_bytes` zero bytes of data.
void write_raw_safetensors(const fs::path& file, const std::string& header, size_t data_bytes) {
    std::string bytes(8, '\0');
    uint64_t len = header.size();
    for (int i = 0; i < 8; ++i) bytes[i] = char((len >> (8 * i)) & 0xff);
    write_text(file, bytes + header + std::string(data_bytes, '\0'));
}

}  // namespace

class TestModelFolder : public QObject {
    Q_OBJECT

    QTemporaryDir tmp_;
    int counter_ = 0;

    // A fresh, valid folder that the test then breaks.
    fs::path good_folder() {
        fs::path dir = fs::path(tmp_.path().toStdString()) / ("m" + std::to_string(counter_++));
        write_seeded_bert_folder(dir, tiny_config(), 3, DType::F32, kVocab);
        return dir;
    }

    void expect_error(const fs::path& folder, const QString& file_part, const QString& problem_part) {
        try {
            load_model_folder(folder);
        } catch (const Error& e) {
            QString message = QString::fromStdString(e.what());
            if (!message.contains(file_part) || !message.contains(problem_part))
                QFAIL(qPrintable("unexpected message: " + message));
            return;
        }
        QFAIL("no error for a broken folder");
    }

    void replace_config(const fs::path& dir, const std::function<void(nlohmann::json&)>& edit) {
        auto j = config_json(dir);
        edit(j);
        write_text(dir / "config.json", j.dump());
    }

private slots:
    void goodFolderLoads() {
        auto folder = load_model_folder(good_folder());
        QCOMPARE(folder.model.config.num_layers, 2);
        QCOMPARE(folder.tokenizer->vocab_size(), 30522);
        auto e = folder.encode("hello world");
        QCOMPARE(e.tokens.front(), std::string("[CLS]"));
    }

    void missingFolder() { expect_error("/nonexistent/model", "/nonexistent/model", "no such folder"); }

    void fileInsteadOfFolder() {
        auto dir = good_folder();
        expect_error(dir / "config.json", "config.json", "not a folder");
    }

    void missingConfig() {
        auto dir = good_folder();
        fs::remove(dir / "config.json");
        expect_error(dir, "config.json", "missing");
    }

    void configNotJson() {
        auto dir = good_folder();
        write_text(dir / "config.json", "{ \"hidden_size\": 16, ");
        expect_error(dir, "config.json", "not valid JSON");
    }

    void configMissingKey() {
        auto dir = good_folder();
        replace_config(dir, [](auto& j) { j.erase("hidden_size"); });
        expect_error(dir, "config.json", "missing required key \"hidden_size\"");
    }

    void configWrongType() {
        auto dir = good_folder();
        replace_config(dir, [](auto& j) { j["num_attention_heads"] = "two"; });
        expect_error(dir, "config.json", "\"num_attention_heads\" must be an integer");
    }

    void configAbsurdLayers() {
        auto dir = good_folder();
        replace_config(dir, [](auto& j) { j["num_hidden_layers"] = 1000000000; });
        expect_error(dir, "config.json", "outside the supported range");
    }

    void configHeadsDoNotDivide() {
        auto dir = good_folder();
        replace_config(dir, [](auto& j) { j["num_attention_heads"] = 3; });
        expect_error(dir, "config.json", "not divisible");
    }

    void configUnknownActivation() {
        auto dir = good_folder();
        replace_config(dir, [](auto& j) { j["hidden_act"] = "swish"; });
        expect_error(dir, "config.json", "\"hidden_act\" = \"swish\" is not supported");
    }

    void configUnsupportedModelType() {
        auto dir = good_folder();
        replace_config(dir, [](auto& j) { j["model_type"] = "gpt2"; });
        expect_error(dir, "config.json", "\"model_type\" = \"gpt2\"");
    }

    void configLabelsDisagree() {
        auto dir = good_folder();
        replace_config(dir, [](auto& j) { j["num_labels"] = 3; });
        expect_error(dir, "config.json", "disagrees");
    }

    void configShapeMismatch() {
        auto dir = good_folder();
        replace_config(dir, [](auto& j) { j["intermediate_size"] = 48; });
        expect_error(dir, "model.safetensors", "config.json implies [48, 16]");
    }

    void missingWeights() {
        auto dir = good_folder();
        fs::remove(dir / "model.safetensors");
        expect_error(dir, "model.safetensors", "missing");
    }

    void pickleOnly() {
        auto dir = good_folder();
        fs::rename(dir / "model.safetensors", dir / "pytorch_model.bin");
        expect_error(dir, "pytorch_model.bin", "not read");
    }

    void truncatedHeader() {
        auto dir = good_folder();
        write_text(dir / "model.safetensors", "abc");
        expect_error(dir, "model.safetensors", "too short");
    }

    void headerBeyondFile() {
        auto dir = good_folder();
        auto bytes = read_text(dir / "model.safetensors");
        write_text(dir / "model.safetensors", bytes.substr(0, 200));
        expect_error(dir, "model.safetensors", "beyond the end of the file");
    }

    void truncatedData() {
        auto dir = good_folder();
        auto bytes = read_text(dir / "model.safetensors");
        write_text(dir / "model.safetensors", bytes.substr(0, bytes.size() - 100));
        expect_error(dir, "model.safetensors", "outside the data section");
    }

    void headerNotJson() {
        auto dir = good_folder();
        write_raw_safetensors(dir / "model.safetensors", "{not json", 0);
        expect_error(dir, "model.safetensors", "not valid JSON");
    }

    void headerNotObject() {
        auto dir = good_folder();
        write_raw_safetensors(dir / "model.safetensors", "[1, 2, 3]", 0);
        expect_error(dir, "model.safetensors", "not a JSON object");
    }

    void unknownDtype() {
        auto dir = good_folder();
        write_raw_safetensors(dir / "model.safetensors", R"({"a":{"dtype":"F8","shape":[2],"data_offsets":[0,2]}})", 2);
        expect_error(dir, "model.safetensors", "unknown dtype \"F8\"");
    }

    void offsetsDisagreeWithShape() {
        auto dir = good_folder();
        write_raw_safetensors(dir / "model.safetensors", R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,8]}})", 8);
        expect_error(dir, "model.safetensors", "shape and dtype need 16");
    }

    void overlappingTensors() {
        auto dir = good_folder();
        write_raw_safetensors(dir / "model.safetensors",
                              R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},"b":{"dtype":"F32","shape":[4],"data_offsets":[8,24]}})", 24);
        expect_error(dir, "model.safetensors", "overlap");
    }

    void overflowingShape() {
        auto dir = good_folder();
        write_raw_safetensors(dir / "model.safetensors",
                              R"({"a":{"dtype":"F32","shape":[4294967296,4294967296,16],"data_offsets":[0,16]}})", 16);
        expect_error(dir, "model.safetensors", "too large");
    }

    void negativeShape() {
        auto dir = good_folder();
        write_raw_safetensors(dir / "model.safetensors", R"({"a":{"dtype":"F32","shape":[-4],"data_offsets":[0,16]}})", 16);
        expect_error(dir, "model.safetensors", "non-negative");
    }

    void missingTensorsAreListed() {
        auto dir = good_folder();
        SafetensorsFile file(dir / "model.safetensors");
        std::vector<std::vector<float>> keep;
        std::vector<TensorToWrite> tensors;
        for (const auto& t : file.tensors()) {
            if (t.name.find("layer.1.") != std::string::npos) continue;
            keep.push_back(to_float32(t, file.path()));
            tensors.push_back({t.name, t.shape, keep.back(), DType::F32});
        }
        auto bytes = encode_safetensors(tensors);
        write_text(dir / "model.safetensors", std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
        expect_error(dir, "model.safetensors", "16 required tensors are missing: bert.encoder.layer.1.attention.self.query.weight");
    }

    void integerWeights() {
        auto dir = good_folder();
        write_raw_safetensors(dir / "model.safetensors",
                              R"({"bert.embeddings.word_embeddings.weight":{"dtype":"I32","shape":[30522,16],"data_offsets":[0,1953408]}})",
                              1953408);
        expect_error(dir, "model.safetensors", "dtype I32");
    }

    void missingVocabulary() {
        auto dir = good_folder();
        fs::remove(dir / "vocab.txt");
        expect_error(dir, QString::fromStdString(dir.string()), "vocab");
    }

    void vocabularyLargerThanModel() {
        auto dir = good_folder();
        replace_config(dir, [](auto& j) { j["vocab_size"] = 1000; });
        // The embedding shape check fires first and names both shapes.
        expect_error(dir, "model.safetensors", "[1000, 16]");
    }

    void badRetentionJson() {
        auto dir = good_folder();
        write_text(dir / "retention.json", R"({"retention": [4, 6], "strategy": "attn"})");
        expect_error(dir, "retention.json", "non-increasing");
    }

    void inputValidation() {
        auto folder = load_model_folder(good_folder());
        std::vector<int32_t> ids = {101, 40000, 102}, types = {0, 0, 0};
        QVERIFY_THROWS_EXCEPTION(Error, run_model(folder.model, ids, types));
        std::vector<int32_t> empty;
        QVERIFY_THROWS_EXCEPTION(Error, run_model(folder.model, empty, empty));
        std::vector<int32_t> long_ids(65, 1000), long_types(65, 0);
        QVERIFY_THROWS_EXCEPTION(Error, run_model(folder.model, long_ids, long_types));
        // A 10,000-word sentence is truncated to the model's maximum, not rejected.
        std::string text;
        for (int i = 0; i < 10000; ++i) text += "word ";
        auto e = folder.encode(text);
        QCOMPARE(int(e.ids.size()), 64);
        QVERIFY(e.truncated);
        QVERIFY(run_model(folder.model, e.ids, e.type_ids).has_head());
    }
};

QTEST_APPLESS_MAIN(TestModelFolder)
#include "test_model_folder.moc"
