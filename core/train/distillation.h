#pragma once
// Knowledge distillation (Hinton et al. 2015), for the re-training step above all: a teacher
// (typically the fine-tuned model without elimination) gives every training example its class
// probabilities at a temperature T, and the student's loss becomes
//   (1 - w) * CE(label, softmax(z)) + w * T^2 * CE(teacher_T, softmax(z / T))
// (core/train/task_head_grad.h). This file computes the teacher's side.
#include "core/progress.h"
#include "core/train/bert_backprop.h"
#include "core/train/parameter_store.h"

#include <span>
#include <vector>

namespace pb::train {

// The teacher's logits for `examples` (its own tokenization), rows in example order; progress
// counts examples. Throws pb::Error when the teacher is a regression model.
Mat<float> teacher_logits(const TrainableBert& teacher, std::span<const TrainExample> examples,
                          const Progress& progress = {});

// Sets each example's target to softmax(logits / temperature) of its row (temperature > 0).
void attach_teacher_targets(std::vector<TrainExample>& examples, const Mat<float>& logits, double temperature);

}  // namespace pb::train
