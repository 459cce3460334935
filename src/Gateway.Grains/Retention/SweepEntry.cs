namespace Gateway.Grains.Retention;

/// <summary>A grain whose state a sweeper must look at again: a user or an address grain, by key.</summary>
/// <param name="IsAddress">True for an address grain, false for a user grain.</param>
/// <param name="Key">The grain's key.</param>
public readonly record struct SweepEntry(bool IsAddress, string Key)
{
    /// <summary>The entry of a user grain.</summary>
    public static SweepEntry User(string name) => new(false, name);

    /// <summary>The entry of an address grain.</summary>
    public static SweepEntry Address(string key) => new(true, key);

    /// <summary>The entry as one string (<c>u:</c> or <c>a:</c> and the key), as the sweep index stores it.</summary>
    public override string ToString() => (IsAddress ? "a:" : "u:") + Key;

    /// <summary>Reads <see cref="ToString"/>'s form; false for anything else.</summary>
    public static bool TryParse(string text, out SweepEntry entry)
    {
        ArgumentNullException.ThrowIfNull(text);
        entry = default;
        if (text.Length < 2 || text[1] != ':' || text[0] is not ('a' or 'u'))
        {
            return false;
        }

        entry = new SweepEntry(text[0] == 'a', text[2..]);
        return true;
    }
}
