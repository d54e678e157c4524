from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=100, unique=True)
    born = models.DateField(null=True)

    class Meta:
        app_label = "djapp"


class Book(models.Model):
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="books")
    title = models.CharField(max_length=200)
    price = models.DecimalField(max_digits=8, decimal_places=2)
    published = models.DateTimeField(null=True)
    in_print = models.BooleanField(default=True)

    class Meta:
        app_label = "djapp"
        indexes = [models.Index(fields=["title"], name="book_title_idx")]
