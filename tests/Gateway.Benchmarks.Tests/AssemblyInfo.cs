// The smoke test starts real processes on a 2-core machine: one test at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
