// End-to-end tests start real processes (dockerd, registries, gateway nodes) on a 2-core
// machine: run them one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
