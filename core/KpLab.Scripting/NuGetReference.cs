namespace KpLab.Scripting;

/// <summary>A package a script asks for with <c>#r "nuget: Name, Version"</c>.</summary>
/// <param name="Name">The package id, as written.</param>
/// <param name="Version">The version as written: an exact version (pinned) or a NuGet version range.</param>
public sealed record NuGetReference(string Name, string Version)
{
    /// <summary>The prefix that marks a package reference in a <c>#r</c> directive.</summary>
    public const string Prefix = "nuget:";

    /// <summary>Whether the text of a <c>#r</c> directive names a package rather than a file.</summary>
    public static bool IsPackageReference(string reference) =>
        reference.TrimStart().StartsWith(Prefix, StringComparison.OrdinalIgnoreCase);

    /// <summary>Parses the text of a <c>#r "nuget: Name, Version"</c> directive.</summary>
    /// <exception cref="FormatException">The text is not <c>nuget: Name, Version</c> (the message shows the form).</exception>
    public static NuGetReference Parse(string reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        if (!IsPackageReference(reference)) throw new FormatException($"'{reference}' is not a package reference ({Prefix} Name, Version).");
        var body = reference.TrimStart()[Prefix.Length..];
        var parts = body.Split(',', 2, StringSplitOptions.TrimEntries);
        if (parts[0].Length == 0)
            throw new FormatException($"#r \"{reference}\": the package name is missing; write #r \"nuget: Name, Version\".");
        if (parts.Length < 2 || parts[1].Length == 0)
            // A version is required: a floating one would make the same script mean different code on different days.
            throw new FormatException($"#r \"{reference}\": give the version too, e.g. #r \"nuget: {parts[0]}, 1.2.3\".");
        if (parts[0].IndexOfAny([' ', '/', '\\', '"', '<', '>', ';']) >= 0)
            throw new FormatException($"#r \"{reference}\": '{parts[0]}' is not a package id.");
        if (parts[1].IndexOfAny(['"', '<', '>', ';']) >= 0)
            throw new FormatException($"#r \"{reference}\": '{parts[1]}' is not a version.");
        return new NuGetReference(parts[0], parts[1]);
    }

    /// <summary>
    /// The version for the restore: a plain version is pinned exactly (<c>[1.2.3]</c>), so a script means the same
    /// package everywhere; a range (brackets or parentheses) is passed on as written.
    /// </summary>
    public string VersionRange => Version.StartsWith('[') || Version.StartsWith('(') ? Version : $"[{Version}]";

    /// <inheritdoc />
    public override string ToString() => $"{Name} {Version}";
}

/// <summary>A package a run used (the one asked for or one of its dependencies), as the run record keeps it.</summary>
/// <param name="Name">The package id.</param>
/// <param name="Version">The restored version.</param>
/// <param name="Sha256">SHA-256 (hex) of the package file (<c>.nupkg</c>) that was restored.</param>
public sealed record NuGetPackageUse(string Name, string Version, string Sha256);
