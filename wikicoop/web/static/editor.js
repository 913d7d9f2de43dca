/* The edit page's comforts (issue 12): written next. */
