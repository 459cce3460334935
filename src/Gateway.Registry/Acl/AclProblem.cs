namespace Gateway.Registry.Acl;

/// <summary>Something wrong (or worth knowing) in an ACL file.</summary>
/// <param name="Line">The 1-based line it was found on; 0 when it concerns the whole file.</param>
/// <param name="Message">A message naming the file, the line, the problem and the fix.</param>
public sealed record AclProblem(int Line, string Message)
{
    /// <summary>The message.</summary>
    public override string ToString() => Message;
}
