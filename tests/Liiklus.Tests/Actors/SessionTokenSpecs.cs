using Liiklus.Actors.Sessions;
using Liiklus.Storage.Positions;
using Xunit;

namespace Liiklus.Tests.Actors;

public sealed class SessionTokenSpecs
{
    [Fact]
    public void Session_id_carries_topic_group_version_and_offset_reset()
    {
        var token = SessionToken.New("a:topic/with|odd chars", new GroupId("group-é", 7), OffsetReset.Latest);

        Assert.True(SessionToken.TryDecode(token.Encode(), out var decoded));
        Assert.Equal(token, decoded);
    }

    [Fact]
    public void Two_sessions_of_the_same_group_have_different_ids()
    {
        var group = new GroupId("g", 0);

        Assert.NotEqual(
            SessionToken.New("t", group, OffsetReset.Earliest).Encode(),
            SessionToken.New("t", group, OffsetReset.Earliest).Encode());
    }

    [Theory]
    [InlineData("")]
    [InlineData("not-a-session")]
    [InlineData("7b0e9a9c-05a4-4b8c-9e38-6a2f0f3b8d11")]
    [InlineData("AQ")]
    public void Anything_the_gateway_did_not_issue_is_refused(string sessionId)
    {
        Assert.False(SessionToken.TryDecode(sessionId, out _));
    }
}
