namespace PosterGenre.Training.Data;

public enum SplitName
{
    Train,
    Validation,
    Test,
}
