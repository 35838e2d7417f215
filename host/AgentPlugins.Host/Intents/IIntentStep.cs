using AgentPlugins.Sdk;

namespace AgentPlugins.Host.Intents;

/// <summary>A step in front of the host's routes, attached once by the component that needs it.</summary>
internal interface IIntentStep
{
    /// <summary>Carries out <paramref name="intent"/> through <paramref name="route"/>, or decides not to.</summary>
    Task InvokeAsync(Intent intent, IntentOrigin origin, IntentRoute route);
}
