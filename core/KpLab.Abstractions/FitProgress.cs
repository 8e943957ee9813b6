namespace KpLab.Abstractions;

/// <summary>Progress of a long clusterer fit or metric evaluation, reported through <see cref="PluginContext.Progress"/>.</summary>
/// <param name="Plugin">The plugin's name, e.g. "hdbscan".</param>
/// <param name="Stage">What it is doing, e.g. "core distances" or "spanning tree".</param>
/// <param name="Fraction">How far the stage is, from 0 to 1.</param>
public readonly record struct FitProgress(string Plugin, string Stage, double Fraction);
