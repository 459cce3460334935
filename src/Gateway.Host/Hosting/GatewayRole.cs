namespace Gateway.Host.Hosting;

/// <summary>What one process of the gateway runs.</summary>
public enum GatewayRole
{
    /// <summary>Edge and silo in one process (the default; a single node needs nothing else).</summary>
    All,

    /// <summary>Stateless edge: TLS, the access gate and the proxy, with an Orleans client.</summary>
    Edge,

    /// <summary>Grains only (plus health and metrics endpoints).</summary>
    Silo,
}
