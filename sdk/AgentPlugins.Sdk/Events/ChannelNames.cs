namespace AgentPlugins.Sdk;

/// <summary>Names of the channels the host provides.</summary>
public static class ChannelNames
{
    public const string Console = "console";
}
