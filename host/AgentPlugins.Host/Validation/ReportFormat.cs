namespace AgentPlugins.Host.Validation;

/// <summary>How <c>host validate</c> prints what it found.</summary>
internal enum ReportFormat
{
    /// <summary>One line per diagnostic, as the C# compiler prints them.</summary>
    Text,

    /// <summary>A JSON array with one object per diagnostic.</summary>
    Json,
}
