using System.Diagnostics.CodeAnalysis;

namespace Gateway.Registry.Acl;

/// <summary>The outcome of parsing an ACL file.</summary>
/// <param name="Rules">The rules in file order; null when <paramref name="Problems"/> is not empty (keep the last good rules then).</param>
/// <param name="Problems">What stops the file from being used.</param>
/// <param name="Warnings">What is accepted but probably not meant: rules that can never match, placeholders taken literally, ignored settings.</param>
public sealed record AclParseResult(IReadOnlyList<AclRule>? Rules, IReadOnlyList<AclProblem> Problems, IReadOnlyList<AclProblem> Warnings)
{
    /// <summary>True when the file can be used.</summary>
    [MemberNotNullWhen(true, nameof(Rules))]
    public bool IsValid => Rules is not null;
}
