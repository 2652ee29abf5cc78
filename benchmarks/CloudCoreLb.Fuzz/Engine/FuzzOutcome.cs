namespace CloudCoreLb.Fuzz.Engine;

/// <summary>How a parser took one input; both are correct answers, counted to show the run reached past the first check.</summary>
internal enum FuzzOutcome
{
    Accepted,
    Rejected,
}
