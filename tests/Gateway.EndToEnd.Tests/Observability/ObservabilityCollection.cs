namespace Gateway.EndToEnd.Tests.Observability;

/// <summary>The observability tests share one cluster (a silo and an edge exporting to one OTLP receiver).</summary>
[CollectionDefinition(Name)]
public sealed class ObservabilityCollection : ICollectionFixture<ObservabilityClusterFixture>
{
    public const string Name = "Observability cluster";
}
