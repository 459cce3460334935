namespace Gateway.Registry.Access;

/// <summary>What <see cref="GoQuery.Find"/> read of one key.</summary>
/// <param name="Value">The first value, as Go's <c>FormValue</c> answers it; empty when the key is absent.</param>
/// <param name="Count">How many pairs carry the key (Go ignores all but the first).</param>
public readonly record struct GoQueryValue(string Value, int Count);
