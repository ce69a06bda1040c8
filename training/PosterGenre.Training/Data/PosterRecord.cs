namespace PosterGenre.Training.Data;

/// <summary>One labelled poster: its id, its image file and one 0/1 label per genre.</summary>
public sealed record PosterRecord(string Id, string ImagePath, bool[] Labels)
{
    public int LabelCount => Labels.Count(l => l);
}
