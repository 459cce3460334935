namespace Gateway.Edge.Tests.Access.Differential;

/// <summary>One registry oracle and one gate for the differential tests.</summary>
public sealed class DifferentialFixture : IAsyncLifetime
{
    public RegistryOracle Oracle { get; private set; } = null!;

    public GateUnderTest Gate { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Oracle = await RegistryOracle.StartAsync();
        Gate = await GateUnderTest.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await Gate.DisposeAsync();
        await Oracle.DisposeAsync();
    }
}
