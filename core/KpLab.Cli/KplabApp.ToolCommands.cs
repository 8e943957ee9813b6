using System.CommandLine;

namespace KpLab.Cli;

/// <summary>The commands a tool install needs: <c>new experiment</c>, <c>setup</c>, and fetching models on first use.</summary>
public sealed partial class KplabApp
{
    /// <summary>Fetches the models (<c>kplab setup</c>, and before the first run); null: this installation has no fetcher.</summary>
    public ModelFetcher? Models { get; init; }

    /// <summary>The folder holding KpLab's assemblies, referenced by the editor project <c>kplab new</c> writes.</summary>
    public string KpLabHome { get; init; } = AppContext.BaseDirectory;

    private Command NewCommand()
    {
        var name = new Argument<string>("name") { Description = "The experiment's name: the folder, script and project name." };
        var dataset = new Option<string?>("--dataset") { Description = $"A data set name or a CSV path (default {ExperimentScaffold.DefaultDataset}, which KpLab ships)." };
        var output = new Option<string>("--output", "-o") { Description = "The folder to create the experiment in.", DefaultValueFactory = _ => "." };
        var experiment = new Command("experiment", "Writes NAME/NAME.csx (a starter sweep) and NAME/NAME.csproj (for completion and go-to-definition in editors).")
            { name, dataset, output };
        experiment.SetAction(parse =>
        {
            var experimentName = parse.GetValue(name)!;
            if (!ExperimentScaffold.IsValidName(experimentName))
            {
                Error.WriteLine($"kplab: '{experimentName}' cannot name an experiment: use letters, digits, '-', '_' or '.', starting with a letter.");
                return 2;
            }
            var data = parse.GetValue(dataset);
            if (data is not null && !Scripting.DatasetRegistry.IsShortName(data) && !File.Exists(data))
            {
                Error.WriteLine($"kplab: --dataset: no such file: {data}");
                return 2;
            }
            try
            {
                var files = new ExperimentScaffold(KpLabHome).Write(parse.GetValue(output)!, experimentName, data);
                foreach (var file in files) Out.WriteLine($"wrote {Path.GetRelativePath(Environment.CurrentDirectory, file)}");
                Out.WriteLine($"run it:  cd {Path.GetRelativePath(Environment.CurrentDirectory, Path.GetDirectoryName(files[0])!)} && kplab run {Path.GetFileName(files[0])}");
                return 0;
            }
            catch (IOException e)
            {
                Error.WriteLine($"kplab: {e.Message}");
                return 1;
            }
        });
        return new Command("new", "Creates a new experiment.") { experiment };
    }

    private Command SetupCommand()
    {
        var command = new Command("setup", "Fetches the pre-trained models into KpLab's cache (otherwise the first run does).");
        command.SetAction(_ =>
        {
            if (Models is null)
            {
                Error.WriteLine($"kplab: no {ModelFetcher.ScriptName} script beside kplab or in its repository; cannot fetch the models.");
                return 1;
            }
            Error.WriteLine($"kplab: fetching the models into {Models.CacheDirectory}");
            int exit = Models.Fetch(Error);
            if (exit == 0) Out.WriteLine($"models ready in {Models.CacheDirectory}");
            return exit == 0 ? 0 : 1;
        });
        return command;
    }

    /// <summary>When a run first asks for a plugin: on first use, fetch the models, showing the fetcher's progress lines.</summary>
    private void EnsureModels()
    {
        if (Models is not { IsReady: false } models) return;
        Error.WriteLine($"kplab: first use: fetching the models into {models.CacheDirectory} (`kplab setup` does this ahead of time)");
        if (models.Fetch(Error) != 0)
            // Scripts that need no model still run; one that does gets the embedder's own error naming the missing file.
            Error.WriteLine("warning: the models could not all be fetched; `kplab setup` tries again.");
    }
}
