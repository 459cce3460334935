namespace Gateway.Edge.Transfer;

/// <summary>
/// .NET runs socket completions on its event threads, instead of handing each to the thread pool, when the process's
/// <c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS</c> is <c>1</c> at the first socket operation: it is read once, so the
/// gateway sets it at the very start of the process from <c>Gateway:Transfer:InlineScheduling</c>. An operator's own value
/// of the variable (set in the environment) wins.
/// </summary>
public static class InlineSocketCompletions
{
    /// <summary>The runtime's environment variable.</summary>
    public const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>Sets the variable for this process unless it is already set; returns whether completions run inline.</summary>
    public static bool Apply(bool inline) => Apply(inline, Environment.GetEnvironmentVariable, Environment.SetEnvironmentVariable);

    /// <summary><see cref="Apply(bool)"/> on the environment that <paramref name="read"/> and <paramref name="write"/> reach.</summary>
    public static bool Apply(bool inline, Func<string, string?> read, Action<string, string?> write)
    {
        ArgumentNullException.ThrowIfNull(read);
        ArgumentNullException.ThrowIfNull(write);
        if (read(Variable) is { } set)
        {
            return set == "1"; // the runtime's own reading of it
        }

        if (inline)
        {
            write(Variable, "1");
        }

        return inline;
    }
}
