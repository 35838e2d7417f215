namespace AgentPlugins.Host;

/// <summary>plugins.json, the environment or the command line holds a value the host cannot use; the message names the key.</summary>
internal sealed class ConfigurationException(string message, Exception? inner = null) : Exception(message, inner);
