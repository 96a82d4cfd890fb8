#include "services/analytics/stage_histogram.h"

#include <algorithm>
#include <cmath>

namespace gridwork::analytics {
namespace {

void EnsureBuckets(internal::StageHistogram* h) {
  while (h->buckets_size() < kStageBuckets) h->add_buckets(0);
}

}  // namespace

void AddStageSample(double seconds, internal::StageHistogram* h) {
  EnsureBuckets(h);
  seconds = std::max(0.0, seconds);
  int b = 0;
  while (b < static_cast<int>(kStageBucketBoundsS.size()) &&
         seconds > static_cast<double>(kStageBucketBoundsS[b])) {
    ++b;
  }
  h->set_buckets(b, h->buckets(b) + 1);
  h->set_sum_s(h->sum_s() + seconds);
  h->set_count(h->count() + 1);
}

void MergeStageHistogram(const internal::StageHistogram& from, internal::StageHistogram* into) {
  EnsureBuckets(into);
  for (int b = 0; b < std::min(from.buckets_size(), kStageBuckets); ++b) {
    into->set_buckets(b, into->buckets(b) + from.buckets(b));
  }
  into->set_sum_s(into->sum_s() + from.sum_s());
  into->set_count(into->count() + from.count());
}

double StageQuantileUpperBound(const internal::StageHistogram& h, double q) {
  if (h.count() <= 0) return 0;
  const int64_t rank = static_cast<int64_t>(std::ceil(q * static_cast<double>(h.count())));
  int64_t seen = 0;
  for (int b = 0; b < h.buckets_size(); ++b) {
    seen += h.buckets(b);
    if (seen >= rank) {
      return static_cast<double>(
          kStageBucketBoundsS[std::min<size_t>(b, kStageBucketBoundsS.size() - 1)]);
    }
  }
  return static_cast<double>(kStageBucketBoundsS.back());
}

}  // namespace gridwork::analytics
