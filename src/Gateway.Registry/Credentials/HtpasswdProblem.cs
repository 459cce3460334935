namespace Gateway.Registry.Credentials;

/// <summary>A line of an htpasswd file that cannot be used, with what to do about it.</summary>
/// <param name="Line">The 1-based line number.</param>
/// <param name="UserName">The user name on that line, when there is one.</param>
/// <param name="Message">A message naming the file, the line and the fix.</param>
public sealed record HtpasswdProblem(int Line, string? UserName, string Message);
