using System.Runtime.CompilerServices;
using AgentPlugins.Host.Compilation;

namespace AgentPlugins.Tests.Reload;

public sealed class ReferenceSymbolsTests
{
    [Fact]
    public void The_symbols_of_the_referenced_assemblies_survive_a_full_collection_between_two_compiles()
    {
        var compiler = new RoleCompiler(ReferenceSet.Default);
        var first = FirstCompileCorlib(compiler);

        // The unload verifier forces collections like these after every reload.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        Assert.True(first.IsAlive, "the framework's symbols were collected; the next compile decodes every reference again");
        var second = compiler.CreateCompilation("/tmp/second.cs", SampleRoles.Echo("b"));
        Assert.Same(first.Target, second.GetAssemblyOrModuleSymbol(ReferenceSet.Default.References[0]));
    }

    [Fact]
    public void The_compiler_keeps_only_its_latest_compilation()
    {
        var compiler = new RoleCompiler(ReferenceSet.Default);
        compiler.CreateCompilation("/tmp/a.cs", SampleRoles.Echo("a"));
        var latest = compiler.CreateCompilation("/tmp/b.cs", SampleRoles.Echo("b"));

        Assert.Same(latest, compiler.Latest);
    }

    // In its own frame, so the test holds the first compilation only through the weak reference.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference FirstCompileCorlib(RoleCompiler compiler)
    {
        var compilation = compiler.CreateCompilation("/tmp/first.cs", SampleRoles.Echo("a"));
        return new WeakReference(compilation.GetAssemblyOrModuleSymbol(ReferenceSet.Default.References[0]));
    }
}
