#pragma once
// Small BERT shapes the tests share.
//
// The smallest BERT shape: the hostile-input fixtures (tests/fixtures/hostile/make_hostile.py) and
// the safetensors fuzz seeds (tests/fuzz/corpus/safetensors/tiny_bert_*) are written for it, so the
// hostile-input test and the fuzz target bind the same files against the same shape.

#include "core/model_config.h"

namespace pb_test {

inline pb::ModelConfig tiny_bert_config() {
    pb::ModelConfig c;
    c.vocab_size = 8;
    c.hidden_size = 4;
    c.num_layers = 1;
    c.num_heads = 2;
    c.intermediate_size = 8;
    c.max_position = 8;
    c.type_vocab_size = 2;
    c.num_labels = 2;
    c.id2label = {"no", "yes"};
    return c;
}

// A 2-layer, hidden-32 BERT small enough to train in a test in a second or two.
inline pb::ModelConfig two_layer_config(int vocab) {
    pb::ModelConfig c;
    c.vocab_size = vocab;
    c.hidden_size = 32;
    c.num_layers = 2;
    c.num_heads = 2;
    c.intermediate_size = 64;
    c.max_position = 32;
    c.num_labels = 2;
    return c;
}

}  // namespace pb_test
