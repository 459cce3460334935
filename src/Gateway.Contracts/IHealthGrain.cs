namespace Gateway.Contracts;

/// <summary>A stateless grain the edges call to prove the cluster answers (readiness).</summary>
public interface IHealthGrain : IGrainWithIntegerKey
{
    /// <summary>Answers with the address of the silo that served the call.</summary>
    Task<string> PingAsync();
}
