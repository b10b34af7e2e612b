#pragma once
// Training data for masked-LM pre-training (BERT's recipe without next-sentence prediction, as in
// RoBERTa): the text of the corpus files, WordPiece-tokenised, concatenated and cut into
// sequences [CLS] t_1 .. t_n [SEP]; in each sequence 15% of the word pieces are chosen for
// prediction, of which 80% become [MASK], 10% a random token and 10% stay as they are.
#include "core/train/bert_backprop.h"
#include "core/wordpiece_tokenizer.h"

#include <cstdint>
#include <filesystem>
#include <vector>

namespace pb::train {

// Plain text (.txt: paragraphs separated by blank lines) or a GLUE TSV (its sentence columns).
// Returns the word-piece ids of every paragraph/sentence, in file order, without special tokens.
// Throws pb::Error naming the file when it cannot be read or holds no text.
std::vector<std::vector<int32_t>> tokenize_corpus_file(const std::filesystem::path& file,
                                                       const WordpieceTokenizer& tokenizer);

struct MaskingOptions {
    int max_length = 128;           // tokens per sequence, [CLS] and [SEP] included
    double mask_probability = 0.15;
    uint64_t seed = 1;
};

// The packed, masked sequences. Deterministic for a seed (the same on every platform).
std::vector<TrainExample> make_masked_lm_examples(const std::vector<std::vector<int32_t>>& texts,
                                                  const WordpieceTokenizer& tokenizer, const MaskingOptions& options);

}  // namespace pb::train
