#include "ui/dataset_job.h"

#include "core/model_folder.h"

namespace pb::ui {

QString datasetAnalysisName(DatasetAnalysis analysis) {
    switch (analysis) {
    case DatasetAnalysis::Evaluate: return QStringLiteral("Evaluate");
    case DatasetAnalysis::Diffusion: return QStringLiteral("Diffusion");
    case DatasetAnalysis::MiRank: return QStringLiteral("MI vs rank");
    case DatasetAnalysis::Ablation: return QStringLiteral("Ablation");
    case DatasetAnalysis::Tradeoff: return QStringLiteral("Trade-off");
    }
    return {};
}

bool DatasetResults::has(DatasetAnalysis analysis) const {
    switch (analysis) {
    case DatasetAnalysis::Evaluate: return evaluation != nullptr;
    case DatasetAnalysis::Diffusion: return diffusion != nullptr;
    case DatasetAnalysis::MiRank: return miRank != nullptr;
    case DatasetAnalysis::Ablation: return ablation != nullptr;
    case DatasetAnalysis::Tradeoff: return tradeoff != nullptr;
    }
    return false;
}

void mergeResults(DatasetResults& into, const DatasetResults& update) {
    if (update.evaluation) into.evaluation = update.evaluation;
    if (update.diffusion) into.diffusion = update.diffusion;
    if (update.miRank) into.miRank = update.miRank;
    if (update.ablation) into.ablation = update.ablation;
    if (update.tradeoff) into.tradeoff = update.tradeoff;
    into.skipped = update.skipped;
}

DatasetResults runDatasetJob(const pb::ModelFolder& model, const DatasetJob& job, const pb::Progress& progress) {
    // A run cancelled before it began should not first read the whole file.
    pb::report(progress, 0, 0, "loading");
    const pb::GlueDataset dataset = pb::load_glue_tsv(job.dataFile, job.task, job.malformed, job.maxExamples);
    pb::EvaluationOptions options;
    options.keep_fraction = job.keepFraction;
    options.max_examples = job.maxExamples;
    options.threads = job.threads;

    // Evaluate and the trade-off also time in batches; the other analyses time nothing worth it.
    pb::EvaluationOptions timed = options;
    timed.batch = job.batch;

    DatasetResults out;
    out.skipped = dataset.skipped;
    switch (job.analysis) {
    case DatasetAnalysis::Evaluate:
        out.evaluation = std::make_shared<const pb::DatasetEvaluation>(
            pb::evaluate_dataset(model, dataset, job.plan, timed, progress));
        break;
    case DatasetAnalysis::Diffusion:
        out.diffusion = std::make_shared<const pb::DiffusionResult>(
            pb::diffusion_experiment(model, dataset, job.plan, options, progress));
        break;
    case DatasetAnalysis::MiRank:
        out.miRank = std::make_shared<const pb::MiRankResult>(
            pb::mi_rank_experiment(model, dataset, job.maxRank, options, progress));
        break;
    case DatasetAnalysis::Ablation:
        out.ablation = std::make_shared<const pb::AblationResult>(
            pb::ablation_experiment(model, dataset, job.plan, job.seeds, options, progress));
        break;
    case DatasetAnalysis::Tradeoff:
        out.tradeoff = std::make_shared<const pb::TradeoffResult>(
            pb::tradeoff_experiment(model, dataset, job.plan, {}, timed, progress));
        break;
    }
    return out;
}

}  // namespace pb::ui
