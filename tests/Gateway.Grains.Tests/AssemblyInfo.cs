// Each test class starts its own in-process cluster; one at a time keeps a 2-core machine responsive
// and keeps the clusters' ports apart.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
