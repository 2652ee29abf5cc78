// Failover timings are measured on two cores: tests that build labs run one at a time so they don't skew each other.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
