using AgentPlugins.Tests.Support;

namespace AgentPlugins.Tests.Validation;

/// <summary>The good fixtures and every sample role validate clean, even with warnings as errors.</summary>
public sealed class GoodRoleTests
{
    [Fact]
    public void Good_fixtures_validate_clean()
    {
        var result = Validate.Folder(Validate.GoodFolder, strict: true);

        Assert.True(result.Files.Count >= 4, "the good fixtures are missing");
        Assert.Contains(result.Files, f => f.Path.EndsWith(".csx", StringComparison.Ordinal));
        Assert.Empty(result.Diagnostics.Select(d => d.ToString()));
    }

    [Fact]
    public void Sample_roles_validate_clean()
    {
        var result = Validate.Folder(Path.Combine(Repository.Root, "roles"), strict: true);

        Assert.Contains(result.Files, f => Path.GetFileName(f.Path) == "timer.cs");
        Assert.Empty(result.Diagnostics.Select(d => d.ToString()));
    }
}
