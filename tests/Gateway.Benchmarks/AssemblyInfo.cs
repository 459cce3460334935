// The harness reads /proc, starts Debian's nginx, HAProxy and registry, and sets Unix file modes: Linux only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
