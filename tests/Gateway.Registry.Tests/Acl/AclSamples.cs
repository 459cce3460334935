using Gateway.Registry.Acl;

namespace Gateway.Registry.Tests.Acl;

/// <summary>ACL files in docker_auth's format, written as its users write them.</summary>
internal static class AclSamples
{
    /// <summary>A whole docker_auth configuration, modelled on its <c>examples/reference.yml</c>; the gateway reads only <c>acl</c>.</summary>
    public const string DockerAuthConfig = """
        server:
          addr: ":5001"
        token:
          issuer: "Acme auth server"
          expiration: 900
        users:
          "admin":
            password: "$2y$05$LO.vzwpWC5LZGqThvEfznu8qhb5SGqvBSWY1J3yZ4AxtMRZ3kN5jC"
        acl:
          - match: {ip: "10.1.0.0/16"}
            actions: ["*"]
            comment: "Allow everything from the build network"
          - match: {account: "admin"}
            actions: ["*"]
            comment: "Admin has full access to everything."
          - match: {account: "reader"}
            actions: ["pull"]
            comment: "A read-only user"
          - match: {account: "blocked"}
            actions: []
            comment: "Blocked: nothing at all"
          - match: {account: "/^ci-[a-z]+$/", name: "/^(build|cache)\\/.+$/"}
            actions: ["pull", "push"]
            comment: "CI robots may push build and cache images"
          - match: {account: "/.+/", name: "${account}/*"}
            actions: ["push", "pull"]
            comment: "Logged in users have full access to images that are in their 'namespace'"
          - match: {account: "/.+/", type: "registry", name: "catalog"}
            actions: ["*"]
            comment: "Logged in users can query the catalog."
          - match: {account: "/^(.+)@example\\.com$/", name: "${account:1}/*"}
            actions: ["pull", "push", "delete"]
            comment: "Mail-style accounts own the namespace of their local part"
          - match: {account: "/.+/"}
            actions: ["pull"]
            comment: "Logged in users can pull all images."
          - match: {account: "", name: "hello-world"}
            actions: ["pull"]
            comment: "Anonymous users can pull \"hello-world\"."
          # Access is denied by default.
        """;

    /// <summary>The evaluator of a valid ACL text; fails the test with the file's problems otherwise.</summary>
    public static AclEvaluator Evaluator(string text)
    {
        var result = AclFile.Parse("acl.yml", text);
        Assert.True(result.IsValid, string.Join("\n", result.Problems));
        return new AclEvaluator(result.Rules);
    }
}
