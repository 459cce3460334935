namespace Gateway.Host.Shutdown;

/// <summary>Whether the node is draining (SIGTERM received).</summary>
public sealed class DrainState
{
    private volatile bool _draining;

    /// <summary>True once shutdown has begun.</summary>
    public bool IsDraining => _draining;

    /// <summary>Marks the node as draining.</summary>
    public void Start() => _draining = true;
}
