namespace Gateway.Grains;

/// <summary>The grain storage provider the gateway's grains persist their lockout state in.</summary>
public static class GrainStorage
{
    /// <summary>The provider name the host registers (Redis with the redis provider, memory with localhost).</summary>
    public const string Name = "gateway";
}
