"""ssisim: an activity-based simulator of LinkedIn's Social Selling Index."""
