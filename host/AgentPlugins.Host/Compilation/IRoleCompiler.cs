namespace AgentPlugins.Host.Compilation;

/// <summary>
/// Turns a role file into a <see cref="CompiledRole"/>: <see cref="RoleCompiler"/> runs Roslyn in this
/// process, <see cref="CompilerProcess"/> in a child process whose JIT settings suit a compiler.
/// Thread-safe; called off the loop.
/// </summary>
internal interface IRoleCompiler
{
    /// <summary>Identifies the compiler, its reference set and whether it checks the rules; part of the compile cache key.</summary>
    string Fingerprint { get; }

    /// <summary>Compiles, checks and emits <paramref name="file"/>; problems come back as diagnostics.</summary>
    CompiledRole Compile(RoleFile file, CancellationToken cancellationToken = default);
}
