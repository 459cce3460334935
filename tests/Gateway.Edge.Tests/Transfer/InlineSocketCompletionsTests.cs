using Gateway.Edge.Transfer;

namespace Gateway.Edge.Tests.Transfer;

public sealed class InlineSocketCompletionsTests
{
    private readonly Dictionary<string, string?> _environment = [];

    [Fact]
    public void Apply_InlineAndVariableUnset_SetsItToOne()
    {
        Assert.True(Apply(inline: true));
        Assert.Equal("1", _environment[InlineSocketCompletions.Variable]);
    }

    [Fact]
    public void Apply_OffAndVariableUnset_LeavesTheRuntimeDefault()
    {
        Assert.False(Apply(inline: false));
        Assert.False(_environment.ContainsKey(InlineSocketCompletions.Variable));
    }

    [Theory]
    [InlineData("0", true, false)]
    [InlineData("1", false, true)]
    public void Apply_OperatorSetTheVariable_TheirValueWins(string operatorValue, bool inline, bool expected)
    {
        _environment[InlineSocketCompletions.Variable] = operatorValue;

        Assert.Equal(expected, Apply(inline));
        Assert.Equal(operatorValue, _environment[InlineSocketCompletions.Variable]);
    }

    private bool Apply(bool inline) =>
        InlineSocketCompletions.Apply(inline, name => _environment.GetValueOrDefault(name), (name, value) => _environment[name] = value);
}
