namespace Gateway.EndToEnd.Tests.Infrastructure;

/// <summary>How a <see cref="DockerEngine"/> keeps its daemons' machine-wide paths off the machine.</summary>
public enum EngineIsolation
{
    /// <summary>
    /// containerd and dockerd (and so the shims and runc) share a private mount namespace with a tmpfs on <c>/run</c>:
    /// nothing they create there, and none of their mounts, is visible outside or outlives them.
    /// </summary>
    PrivateMountNamespace,

    /// <summary>
    /// The fallback where the namespace is refused (a container without CAP_SYS_ADMIN): the daemons create
    /// <c>/run/docker</c>, <c>/run/docker/plugins</c>, <c>/run/containerd</c> and <c>/run/containerd/s</c>, which the
    /// engine removes on dispose when they were not there before.
    /// </summary>
    SharedRun,
}
