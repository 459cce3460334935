namespace Gateway.EndToEnd.Tests.Infrastructure;

/// <summary>Outcome of a command run to completion.</summary>
public sealed record CommandResult(string CommandLine, int ExitCode, string StandardOutput, string StandardError, TimeSpan Duration)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>stdout followed by stderr.</summary>
    public string Output => StandardOutput + StandardError;

    /// <summary>Returns this result, or throws with the full output when the exit code is not 0.</summary>
    public CommandResult EnsureSuccess() =>
        Succeeded ? this : throw new InvalidOperationException("Command failed: " + this);

    public override string ToString() =>
        $"`{CommandLine}` exited with {ExitCode} after {Duration.TotalSeconds:0.00} s\n--- stdout ---\n{StandardOutput}\n--- stderr ---\n{StandardError}";
}
